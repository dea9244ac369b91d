/**
 * Several nodes sharing their accounts through one PostgreSQL database: the per-account lease that
 * keeps a second node out of a mailbox being polled ({@link org.popfetch.cluster.AdvisoryLeases}),
 * the configuration the cluster's schedules follow ({@link org.popfetch.cluster.ClusterConfigRow}),
 * and what the nodes and leases look like now ({@link org.popfetch.cluster.ClusterView}). The
 * clustered Quartz scheduler itself is {@code schedule}'s; the seen-UID store is {@code store}'s.
 * See docs/adr/0008-clustering-on-postgresql.md.
 */
package org.popfetch.cluster;
