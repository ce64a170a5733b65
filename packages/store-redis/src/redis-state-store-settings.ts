/** Where the Redis (or Valkey) deployment is: one of three shapes. */
export type RedisConnection =
  /** A standalone server (or a managed endpoint): `redis://[:password@]host:port[/db]`, `rediss://` for TLS. */
  | { url: string }
  /** A Cluster, through any of its nodes; the client discovers the others. */
  | { cluster: { rootNodes: Array<{ url: string }>; password?: string | undefined } }
  /** A primary found through Sentinel. */
  | {
      sentinel: {
        /** The master group name Sentinel watches (`sentinel monitor <name> …`). */
        name: string;
        sentinels: Array<{ host: string; port: number }>;
        password?: string | undefined;
      };
    };

/** Settings of {@link createRedisStateStore}. */
export type RedisStateStoreSettings = RedisConnection & {
  /** Prepended to every key and to the pub/sub channel, so several deployments can share one Redis. Default `switchyard:`. */
  keyPrefix?: string;
  /**
   * How long the first connection may take before the store starts on local state (and keeps trying). Default 2000 ms.
   */
  connectTimeoutMs?: number;
  /** How long one operation may wait for Redis before it runs on local state instead. Default 1000 ms. */
  operationTimeoutMs?: number;
  /** Longest wait between reconnection attempts while Redis is away. Default 1000 ms. */
  maxReconnectDelayMs?: number;
  /** How long the remote-share window lives without requests. Default one day. */
  remoteShareTtlMs?: number;
};
