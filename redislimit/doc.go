// Package redislimit paces chatapp calls with buckets kept in Redis, so
// that many processes calling ChatApp Message Service with one Alibaba
// Cloud account share its per-account limits instead of each using them
// whole.
//
// The service allows 50 GetChatappPhoneNumberMetric calls a second per
// account (5 for EnableWhatsappROIMetric). chatapp's default limiter keeps
// one process within that; N replicas each with their own bucket send up
// to N times as much and get System.LimitControl answers. A Limiter from
// this package keeps one bucket per account and operation in Redis,
// updated by redis_rate's GCRA script, which reads Redis's own clock:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	lim := redislimit.New(rdb, redislimit.WithExpectedReplicas(4))
//	client, err := chatapp.NewClient(chatapp.WithRateLimiter(lim))
//
// When Redis is unreachable, each process falls back to a local bucket at
// the rate divided by WithExpectedReplicas (or, with FailClosed, refuses
// calls), logs the outage once, and goes back to Redis when it answers
// again. Stats counts what happened.
//
// The module is separate from chatapp's so that chatapp does not depend
// on a Redis client.
package redislimit
