package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import io.github.tokenrefresh.core.TokenAcquisitionException;

/**
 * Assertions kept in files that the platform rotates (Kubernetes workload identity on Azure, GCP, AWS, SPIFFE):
 * checked at startup, read again for each token request, off the event loop.
 */
final class AssertionFiles {

	private AssertionFiles() {
	}

	/**
	 * Check at startup that the file can be read, so that a wrong path fails the start naming the property.
	 * @param property the property, for messages
	 * @param file the configured path
	 */
	static void validate(String property, @Nullable String file) {
		Path path = path(property, file);
		if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
			throw InvalidTokenRefreshConfigurationException.of(property,
					"names a file that does not exist or cannot be read; check the path and the file's permissions");
		}
	}

	/**
	 * Return the content of the file, trimmed, read anew at each subscription on a thread that may block.
	 * @param description the client
	 * @param name the property's name within the client, for messages
	 * @param file the configured path
	 * @return the file's content
	 */
	static Mono<String> read(ClientDescription description, String name, String file) {
		String property = description.prefix() + name;
		Path path = path(property, file);
		return Mono.fromCallable(() -> Files.readString(path).trim())
			.subscribeOn(Schedulers.boundedElastic())
			// No cause and no content in messages: the content is a credential.
			.onErrorMap(IOException.class, (ex) -> TokenAcquisitionException.failed(description.name(), null, null,
					property + " could not be read (" + ex.getClass().getSimpleName() + ")", null))
			.flatMap((content) -> content.isEmpty() ? Mono.error(TokenAcquisitionException
				.failed(description.name(), null, null, property + " names an empty file", null)) : Mono.just(content));
	}

	private static Path path(String property, @Nullable String file) {
		try {
			return Path.of((file != null) ? file : "");
		}
		catch (InvalidPathException ex) {
			throw InvalidTokenRefreshConfigurationException.of(property, "is not a valid file path");
		}
	}

}
