package io.github.tokenrefresh.sample.client;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * {@code GET /profile}: the signed-in user's profile, fetched from the profile API. The {@code profile} WebClient
 * is the bean the starter defines for {@code token-refresh.clients.profile}; it already has the base URL and adds
 * a valid token to every request, so this code knows nothing about tokens.
 */
@RestController
class ProfileController {

	private final WebClient profile;

	ProfileController(@Qualifier("profile") WebClient profile) {
		this.profile = profile;
	}

	@GetMapping("/profile")
	Mono<Profile> profile() {
		return this.profile.get().uri("/me").retrieve().bodyToMono(Profile.class);
	}

	record Profile(String username, String displayName) {
	}

}
