package io.github.tokenrefresh.sample.workload;

import java.time.Duration;
import java.util.function.ToLongFunction;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Snapshot;

/**
 * What the workload did, per client: its own outcome counts next to what the demo server counted.
 *
 * @param elapsed time since the workload started
 * @param orders the {@code orders} client
 * @param profile the {@code profile} client
 */
public record WorkloadReport(Duration elapsed, ClientReport orders, ClientReport profile) {

	/**
	 * Return the two clients together.
	 * @return the totals
	 */
	public ClientReport total() {
		return new ClientReport(this.orders.ok() + this.profile.ok(), this.orders.failed() + this.profile.failed(),
				this.orders.failedUnauthorized() + this.profile.failedUnauthorized(),
				this.orders.server().plus(this.profile.server()));
	}

	String line() {
		ClientReport total = total();
		Snapshot server = total.server();
		return String.format(
				"%3ds  requests ok %6d, failed %d  |  401s %3d, recovered %3d  |  token calls %3d:"
						+ " first %d, proactive %d, after 401 %d",
				this.elapsed.toSeconds(), total.ok(), total.failed(), server.unauthorized(), total.recovered(),
				server.tokenCalls(), server.firstTokens(), server.proactiveRefreshes(),
				server.refreshesAfterUnauthorized());
	}

	String table() {
		StringBuilder table = new StringBuilder();
		table.append(String.format("%nDemo workload finished after %d s%n", this.elapsed.toSeconds()));
		table.append(String.format("%-32s %10s %10s %10s%n", "", "orders", "profile", "total"));
		row(table, "requests ok", ClientReport::ok);
		row(table, "requests failed", ClientReport::failed);
		row(table, "401s sent by the API", (c) -> c.server().unauthorized());
		row(table, "  of which tokens revoked early", (c) -> c.server().revoked());
		row(table, "401s recovered by a retry", ClientReport::recovered);
		row(table, "token-endpoint calls", (c) -> c.server().tokenCalls());
		row(table, "  first token", (c) -> c.server().firstTokens());
		row(table, "  refreshed before expiry", (c) -> c.server().proactiveRefreshes());
		row(table, "  refreshed after a 401", (c) -> c.server().refreshesAfterUnauthorized());
		row(table, "  refused by the server", (c) -> c.server().rejectedTokenCalls());
		row(table, "requests per token-endpoint call", ClientReport::requestsPerTokenCall);
		return table.toString();
	}

	private void row(StringBuilder table, String label, ToLongFunction<ClientReport> value) {
		table.append(String.format("%-32s %10d %10d %10d%n", label, value.applyAsLong(this.orders),
				value.applyAsLong(this.profile), value.applyAsLong(total())));
	}

	/**
	 * One client's counts.
	 *
	 * @param ok requests that ended in a 2xx response
	 * @param failed requests that ended in an error
	 * @param failedUnauthorized failed requests whose final answer was 401
	 * @param server what the demo server counted for this client's API and token endpoint
	 */
	public record ClientReport(long ok, long failed, long failedUnauthorized, Snapshot server) {

		/**
		 * Return how many of the server's 401s did not end the request: the client obtained a new token and
		 * retried.
		 * @return the 401s recovered
		 */
		public long recovered() {
			return Math.max(0, this.server.unauthorized() - this.failedUnauthorized);
		}

		long requestsPerTokenCall() {
			return (this.server.tokenCalls() != 0) ? this.ok / this.server.tokenCalls() : 0;
		}

	}

}
