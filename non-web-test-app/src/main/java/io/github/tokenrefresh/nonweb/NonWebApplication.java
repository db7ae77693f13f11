package io.github.tokenrefresh.nonweb;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A job as a user writes one: {@code spring-boot-starter}, this starter, a client in {@code application.yml} and
 * nothing else. It must start as a non-web application, take no port, and still get a token-carrying WebClient.
 */
@SpringBootApplication
public class NonWebApplication {

	public static void main(String[] args) {
		SpringApplication.run(NonWebApplication.class, args);
	}

}
