package awssm_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// beforeRecordCreate runs hook once, before the first CreateSecret of a
// record secret goes through to api.
type beforeRecordCreate struct {
	awssm.API
	once sync.Once
	hook func()
}

func (b *beforeRecordCreate) CreateSecret(ctx context.Context, in *sm.CreateSecretInput, o ...func(*sm.Options)) (*sm.CreateSecretOutput, error) {
	if strings.HasSuffix(aws.ToString(in.Name), "/record") {
		b.once.Do(b.hook)
	}
	return b.API.CreateSecret(ctx, in, o...)
}

// TestRetiredIDIsNeverWritten plays a slow insert overtaken by a repair:
// between claiming its user name and creating its record, another store
// sees the claim unchanged over a few attempts, retires the ID (a
// tombstone under it) and saves its own record for the user. The slow
// insert's create then meets the tombstone: it must not write over it (a
// second record with the user name), but start over and merge into the
// record that is there.
func TestRetiredIDIsNeverWritten(t *testing.T) {
	srv := newSMServer()
	opts := &awssm.Options{Prefix: "retire/", Pepper: smPepper, ForceDelete: true, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Millisecond}
	ctx := context.Background()
	other, err := awssm.New(newSMClient(srv), opts)
	if err != nil {
		t.Fatal(err)
	}
	fast := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at-fast", ClientID: "c", ClientSecret: "secret-cs"}
	api := &beforeRecordCreate{API: newSMClient(srv), hook: func() {
		if err := other.SaveToken(ctx, &fast); err != nil {
			t.Errorf("the repairing save: %v", err)
		}
	}}
	slow, err := awssm.New(api, opts)
	if err != nil {
		t.Fatal(err)
	}
	in := tokenstore.Token{UserName: "u@example.com", RefreshToken: "secret-rt-slow", ClientID: "c", ClientSecret: "secret-cs"}
	if err := slow.SaveToken(ctx, &in); err != nil {
		t.Fatalf("the slow save: %v", err)
	}
	if in.ID != fast.ID || in.AccessToken != fast.AccessToken {
		t.Errorf("the slow save stored record %s; want it merged into %s", in.ID, fast.ID)
	}
	all := storetest.WantCoherent(t, ctx, slow)
	if len(all) != 1 {
		t.Fatalf("%d records; want 1", len(all))
	}
	storetest.WantFound(t, ctx, slow, in, "the merged record")
}
