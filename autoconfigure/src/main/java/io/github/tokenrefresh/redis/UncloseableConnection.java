package io.github.tokenrefresh.redis;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;

import org.springframework.data.redis.connection.ClusterInfo;
import org.springframework.data.redis.connection.ReactiveClusterGeoCommands;
import org.springframework.data.redis.connection.ReactiveClusterHashCommands;
import org.springframework.data.redis.connection.ReactiveClusterHyperLogLogCommands;
import org.springframework.data.redis.connection.ReactiveClusterKeyCommands;
import org.springframework.data.redis.connection.ReactiveClusterListCommands;
import org.springframework.data.redis.connection.ReactiveClusterNumberCommands;
import org.springframework.data.redis.connection.ReactiveClusterServerCommands;
import org.springframework.data.redis.connection.ReactiveClusterSetCommands;
import org.springframework.data.redis.connection.ReactiveClusterStreamCommands;
import org.springframework.data.redis.connection.ReactiveClusterStringCommands;
import org.springframework.data.redis.connection.ReactiveClusterZSetCommands;
import org.springframework.data.redis.connection.ReactiveGeoCommands;
import org.springframework.data.redis.connection.ReactiveHashCommands;
import org.springframework.data.redis.connection.ReactiveHyperLogLogCommands;
import org.springframework.data.redis.connection.ReactiveKeyCommands;
import org.springframework.data.redis.connection.ReactiveListCommands;
import org.springframework.data.redis.connection.ReactiveNumberCommands;
import org.springframework.data.redis.connection.ReactivePubSubCommands;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveScriptingCommands;
import org.springframework.data.redis.connection.ReactiveServerCommands;
import org.springframework.data.redis.connection.ReactiveSetCommands;
import org.springframework.data.redis.connection.ReactiveStreamCommands;
import org.springframework.data.redis.connection.ReactiveStringCommands;
import org.springframework.data.redis.connection.ReactiveZSetCommands;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisClusterNode.SlotRange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A view of a held connection whose close does nothing: a template closes its connection after every command.
 * A plain delegating class rather than a JDK proxy, so that a native image needs no proxy hint for whatever
 * interfaces the driver's connection class happens to implement.
 */
class UncloseableConnection implements ReactiveRedisConnection {

	private final ReactiveRedisConnection delegate;

	UncloseableConnection(ReactiveRedisConnection delegate) {
		this.delegate = delegate;
	}

	/**
	 * Return a view of the connection that a template cannot close; a cluster connection stays one.
	 * @param connection the connection
	 * @return the view
	 */
	static ReactiveRedisConnection of(ReactiveRedisConnection connection) {
		return (connection instanceof ReactiveRedisClusterConnection cluster) ? new Cluster(cluster)
				: new UncloseableConnection(connection);
	}

	@Override
	public void close() {
	}

	@Override
	public Mono<Void> closeLater() {
		return Mono.empty();
	}

	@Override
	public ReactiveKeyCommands keyCommands() {
		return this.delegate.keyCommands();
	}

	@Override
	public ReactiveStringCommands stringCommands() {
		return this.delegate.stringCommands();
	}

	@Override
	public ReactiveNumberCommands numberCommands() {
		return this.delegate.numberCommands();
	}

	@Override
	public ReactiveListCommands listCommands() {
		return this.delegate.listCommands();
	}

	@Override
	public ReactiveSetCommands setCommands() {
		return this.delegate.setCommands();
	}

	@Override
	public ReactiveZSetCommands zSetCommands() {
		return this.delegate.zSetCommands();
	}

	@Override
	public ReactiveHashCommands hashCommands() {
		return this.delegate.hashCommands();
	}

	@Override
	public ReactiveGeoCommands geoCommands() {
		return this.delegate.geoCommands();
	}

	@Override
	public ReactiveHyperLogLogCommands hyperLogLogCommands() {
		return this.delegate.hyperLogLogCommands();
	}

	@Override
	public ReactivePubSubCommands pubSubCommands() {
		return this.delegate.pubSubCommands();
	}

	@Override
	public ReactiveScriptingCommands scriptingCommands() {
		return this.delegate.scriptingCommands();
	}

	@Override
	public ReactiveServerCommands serverCommands() {
		return this.delegate.serverCommands();
	}

	@Override
	public ReactiveStreamCommands streamCommands() {
		return this.delegate.streamCommands();
	}

	@Override
	public Mono<String> ping() {
		return this.delegate.ping();
	}

	/**
	 * The view of a cluster connection.
	 */
	static final class Cluster extends UncloseableConnection implements ReactiveRedisClusterConnection {

		private final ReactiveRedisClusterConnection delegate;

		Cluster(ReactiveRedisClusterConnection delegate) {
			super(delegate);
			this.delegate = delegate;
		}

		@Override
		public ReactiveClusterKeyCommands keyCommands() {
			return this.delegate.keyCommands();
		}

		@Override
		public ReactiveClusterStringCommands stringCommands() {
			return this.delegate.stringCommands();
		}

		@Override
		public ReactiveClusterNumberCommands numberCommands() {
			return this.delegate.numberCommands();
		}

		@Override
		public ReactiveClusterListCommands listCommands() {
			return this.delegate.listCommands();
		}

		@Override
		public ReactiveClusterSetCommands setCommands() {
			return this.delegate.setCommands();
		}

		@Override
		public ReactiveClusterZSetCommands zSetCommands() {
			return this.delegate.zSetCommands();
		}

		@Override
		public ReactiveClusterHashCommands hashCommands() {
			return this.delegate.hashCommands();
		}

		@Override
		public ReactiveClusterGeoCommands geoCommands() {
			return this.delegate.geoCommands();
		}

		@Override
		public ReactiveClusterHyperLogLogCommands hyperLogLogCommands() {
			return this.delegate.hyperLogLogCommands();
		}

		@Override
		public ReactiveClusterServerCommands serverCommands() {
			return this.delegate.serverCommands();
		}

		@Override
		public ReactiveClusterStreamCommands streamCommands() {
			return this.delegate.streamCommands();
		}

		@Override
		public Mono<String> ping(RedisClusterNode node) {
			return this.delegate.ping(node);
		}

		@Override
		public Flux<RedisClusterNode> clusterGetNodes() {
			return this.delegate.clusterGetNodes();
		}

		@Override
		public Flux<RedisClusterNode> clusterGetReplicas(RedisClusterNode primary) {
			return this.delegate.clusterGetReplicas(primary);
		}

		@Override
		public Mono<Map<RedisClusterNode, Collection<RedisClusterNode>>> clusterGetMasterReplicaMap() {
			return this.delegate.clusterGetMasterReplicaMap();
		}

		@Override
		public Mono<Integer> clusterGetSlotForKey(ByteBuffer key) {
			return this.delegate.clusterGetSlotForKey(key);
		}

		@Override
		public Mono<RedisClusterNode> clusterGetNodeForSlot(int slot) {
			return this.delegate.clusterGetNodeForSlot(slot);
		}

		@Override
		public Mono<RedisClusterNode> clusterGetNodeForKey(ByteBuffer key) {
			return this.delegate.clusterGetNodeForKey(key);
		}

		@Override
		public Mono<ClusterInfo> clusterGetClusterInfo() {
			return this.delegate.clusterGetClusterInfo();
		}

		@Override
		public Mono<Void> clusterAddSlots(RedisClusterNode node, int... slots) {
			return this.delegate.clusterAddSlots(node, slots);
		}

		@Override
		public Mono<Void> clusterAddSlots(RedisClusterNode node, SlotRange range) {
			return this.delegate.clusterAddSlots(node, range);
		}

		@Override
		public Mono<Long> clusterCountKeysInSlot(int slot) {
			return this.delegate.clusterCountKeysInSlot(slot);
		}

		@Override
		public Mono<Void> clusterDeleteSlots(RedisClusterNode node, int... slots) {
			return this.delegate.clusterDeleteSlots(node, slots);
		}

		@Override
		public Mono<Void> clusterDeleteSlotsInRange(RedisClusterNode node, SlotRange range) {
			return this.delegate.clusterDeleteSlotsInRange(node, range);
		}

		@Override
		public Mono<Void> clusterForget(RedisClusterNode node) {
			return this.delegate.clusterForget(node);
		}

		@Override
		public Mono<Void> clusterMeet(RedisClusterNode node) {
			return this.delegate.clusterMeet(node);
		}

		@Override
		public Mono<Void> clusterSetSlot(RedisClusterNode node, int slot, AddSlots mode) {
			return this.delegate.clusterSetSlot(node, slot, mode);
		}

		@Override
		public Flux<ByteBuffer> clusterGetKeysInSlot(int slot, int count) {
			return this.delegate.clusterGetKeysInSlot(slot, count);
		}

		@Override
		public Mono<Void> clusterReplicate(RedisClusterNode primary, RedisClusterNode replica) {
			return this.delegate.clusterReplicate(primary, replica);
		}

	}

}
