package integration_test

import (
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// TestAWSSMCorruptRecords: one unreadable record secret never makes the
// namespace unusable (see corrupt_records_test.go).
func TestAWSSMCorruptRecords(t *testing.T) {
	var prefixes sync.Map // *awssm.Store → its prefix
	runCorruptRecords(t, corruptBackend{
		newStore: func(t *testing.T, ns string) tokenstore.Store {
			o := &awssm.Options{
				Prefix: "tokenstore-it/" + smRunID + "/corrupt/" + ns + "/", Pepper: smPepper, ForceDelete: true,
				MaxAttempts: 3, RetryDelay: time.Millisecond,
			}
			s, err := awssm.New(secretsmanager.NewFromConfig(smConfig(t)), o)
			if err != nil {
				t.Fatalf("awssm.New: %v", err)
			}
			prefixes.Store(s, o.Prefix)
			return s
		},
		overwrite: func(t *testing.T, s tokenstore.Store, id, raw string) {
			prefix, _ := prefixes.Load(s)
			name := prefix.(string) + "token/" + id + "/record"
			_, err := smRaw(t).PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
				SecretId: aws.String(name), SecretString: aws.String(raw),
			})
			if err != nil {
				t.Fatalf("PutSecretValue(%s): %v", name, err)
			}
		},
	})
}
