"""PostgreSQL advisory locks of a cluster, in their own key space.

Locks use the two-integer form `pg_advisory_lock(namespace, key)`, which never collides with
the one-bigint migration lock; they are per database, and a session-level lock lasts until its
session ends, so a process killed with SIGKILL loses them as soon as the server sees its
connection close. Each process holds (NODE_LOCKS, its cluster_nodes id) for its whole life and
(SHARD_LOCKS, shard id) for each shard it runs.
"""

from __future__ import annotations

SHARD_LOCKS = 0x4252_0001  # key: the shard id
NODE_LOCKS = 0x4252_0002  # key: cluster_nodes.id (mod 2^31, the key is a 32-bit integer)
INT4 = 2_147_483_647


def node_key(node_id: int) -> int:
    return node_id % INT4


# The owners (cluster_nodes.owner) whose process is alive: their node lock is held. pg_locks
# covers every database of the server, hence the database filter.
ALIVE_OWNERS = f"""
    SELECT n.owner FROM cluster_nodes n JOIN pg_locks l
      ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
     AND l.classid = {NODE_LOCKS}::oid AND l.objid = (n.id % {INT4})::oid
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
