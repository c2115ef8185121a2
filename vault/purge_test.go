package vault

import (
	"context"
	"errors"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// TestStaleWriteNeverLandsAfterPurge: a writer that read a record before
// it was deleted holds version 1 of its path. Once the delete has purged
// the record and a save has retired the ID (its tombstone the next write
// at the path), that writer's check-and-set must be refused. Had the
// purge deleted the path's metadata, the tombstone would be version 1
// again and the stale write would land on it, bringing the deleted record
// back beside its successor (found once in 11 runs of the conformance
// case Concurrency/SaveAndDelete).
func TestStaleWriteNeverLandsAfterPurge(t *testing.T) {
	f := newFakeKV(t)
	s := f.store(t, f.client(t, 0, nil))
	b := backend{s}
	ctx := context.Background()
	tok := tokenstore.Token{UserName: "u@example.com", AccessToken: "secret-at"}
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	read, err := b.GetRecord(ctx, tok.ID)
	if err != nil || read.State != kvstore.Live {
		t.Fatalf("GetRecord: %+v, %v", read, err)
	}
	if err := s.DeleteToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	gone, err := b.GetRecord(ctx, tok.ID)
	if err != nil || gone.State != kvstore.Absent {
		t.Fatalf("GetRecord after DeleteToken: %+v, %v", gone, err)
	}
	if err := b.PutRecord(ctx, tok.ID, kvstore.Rec{State: kvstore.Tomb}, gone.Rev); err != nil {
		t.Fatalf("retiring the ID: %v", err)
	}
	body, err := driver.EncodeRecord(tok)
	if err != nil {
		t.Fatal(err)
	}
	err = b.PutRecord(ctx, tok.ID, kvstore.Rec{State: kvstore.Live, Body: body}, read.Rev)
	if !errors.Is(err, kvstore.ErrStale) {
		t.Fatalf("stale write after the purge: %v; want ErrStale", err)
	}
	if got, err := s.FindTokenByID(ctx, tok.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindTokenByID = %v, %v; want ErrNotFound", got.ID, err)
	}
}
