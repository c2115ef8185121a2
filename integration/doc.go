// Package integration holds the tests that run against real servers. It is a
// module of its own so that testcontainers-go and its dependencies never
// reach users of the library.
package integration
