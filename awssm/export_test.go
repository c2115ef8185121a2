package awssm

import "github.com/tokenstore-go/tokenstore/driver/kvstore"

// BackendOf returns the Backend under s and the options of its engine, so
// that the tests of package awssm_test can run
// storetest.RunBackendConformance on the fake.
func BackendOf(s *Store) (kvstore.Backend, kvstore.Options) { return backend{s}, s.engineOptions() }
