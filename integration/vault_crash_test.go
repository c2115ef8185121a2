package integration_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// testDanglingEntry: an index entry naming a record that was never written
// (a crash between the claim and the record write) reads as a miss and
// makes reads write nothing. The next save of that user waits a little for
// the insert to finish, then retires the dead ID (a late write of it fails)
// and makes a new record.
func testDanglingEntry(t *testing.T, f *kvFixture) {
	s, c, prefix := fresh(t, f)
	ctx := ctxT(t)
	tok := sample("dangling")
	ghost := tokenstore.NewID()
	f.rawWrite(t, indexPath(prefix, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: tok.UserName}), map[string]any{"id": ghost})
	w0 := c.writes.Load()
	if _, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken through a dangling entry: got %v; want ErrNotFound", err)
	}
	if w := c.writes.Load() - w0; w != 0 {
		t.Errorf("FindToken made %d writes; want 0", w)
	}
	got := mustSave(t, s, tok)
	if got.ID == ghost {
		t.Errorf("save through a dangling entry wrote the dead ID %s", ghost)
	}
	for _, q := range []tokenstore.Token{{UserName: tok.UserName}, {AccessToken: tok.AccessToken}} {
		if found, err := s.FindToken(ctx, q); err != nil || found.ID != got.ID {
			t.Errorf("FindToken after repair: %v, %v", found, err)
		}
	}
	if _, err := s.FindTokenByID(ctx, ghost); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID(retired ID): got %v; want ErrNotFound", err)
	}
	if f.version == 2 {
		lateInsert(t, f, prefix, ghost, tok.UserName)
	}
	if all, _ := s.GetTokens(ctx); len(all) != 1 {
		t.Errorf("GetTokens lists %d records; want 1", len(all))
	}
}

// lateInsert plays the writer that claimed an entry for id and now, late,
// tries its create-only record write: it must be refused.
func lateInsert(t *testing.T, f *kvFixture, prefix, id, user string) {
	t.Helper()
	enc, _ := driver.EncodeRecord(tokenstore.Token{ID: id, UserName: user, AccessToken: "secret-at-late"})
	_, err := f.root.Logical().WriteWithContext(ctxT(t), f.mount+"/data/"+prefix+"/records/"+id,
		map[string]any{"data": map[string]any{"record": string(enc)}, "options": map[string]any{"cas": 0}})
	var re *api.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest {
		t.Fatalf("late create of a retired ID: got %v; want a refused check-and-set", err)
	}
}

// testStaleEntry: an index entry naming a live record that no longer has
// the key is a miss, and the next save makes a new record and takes the
// entry over, leaving the other record alone.
func testStaleEntry(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	other := mustSave(t, s, sample("other"))
	tok := sample("stale")
	f.rawWrite(t, indexPath(prefix, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: tok.UserName}), map[string]any{"id": other.ID})
	if _, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken through a stale entry: got %v; want ErrNotFound (never the other record)", err)
	}
	got := mustSave(t, s, tok)
	if got.ID == other.ID {
		t.Fatal("save through a stale entry merged into the record the entry named")
	}
	if found, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); err != nil || found.ID != got.ID {
		t.Errorf("FindToken after repair: %v, %v", found, err)
	}
	if found, err := s.FindTokenByID(ctx, other.ID); err != nil || found != other {
		t.Errorf("other record changed: %v, %v", found, err)
	}
}

// testCrashedDelete: a DeleteToken that stopped after its tombstone leaves
// a record that reads as not found; a save of the user makes a new record,
// and DeleteToken of the old ID finishes the job.
func testCrashedDelete(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	a := mustSave(t, s, sample("crash"))
	userRel := "user_name/" + driver.Digest(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: a.UserName}, nil)
	f.rawWrite(t, prefix+"/records/"+a.ID, map[string]any{"tombstone": userRel})
	if _, err := s.FindTokenByID(ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID(tombstone): got %v; want ErrNotFound", err)
	}
	if _, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindToken(tombstone): got %v; want ErrNotFound", err)
	}
	if all, _ := s.GetTokens(ctx); len(all) != 0 {
		t.Errorf("GetTokens lists %d records; want 0", len(all))
	}
	b := mustSave(t, s, sample("crash"))
	if b.ID == a.ID {
		t.Error("save after a crashed delete reused the deleted ID")
	}
	if err := s.DeleteToken(ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("DeleteToken(tombstone): got %v; want ErrNotFound", err)
	}
	if data := f.readAllVersions(t, prefix+"/records/"+a.ID); len(data) != 0 {
		t.Errorf("tombstoned record path still has %d versions after DeleteToken", len(data))
	}
	if found, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); err != nil || found.ID != b.ID {
		t.Errorf("FindToken after finishing the delete: %v, %v; want the new record", found, err)
	}
}

// testInsertInFlightRetired: a save by ID that gives a record a user name
// whose entry names a record not yet written (an insert in flight) retires
// that ID first, so the in-flight insert cannot complete as a second record
// with the same user name.
func testInsertInFlightRetired(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	x := mustSave(t, s, tokenstore.Token{AccessToken: "secret-at-x"})
	name := "user-inflight@example.com"
	ghost := tokenstore.NewID()
	f.rawWrite(t, indexPath(prefix, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: name}), map[string]any{"id": ghost})
	mustSave(t, s, tokenstore.Token{ID: x.ID, UserName: name, AccessToken: "secret-at-x"})
	lateInsert(t, f, prefix, ghost, name)
	if found, err := s.FindToken(ctx, tokenstore.Token{UserName: name}); err != nil || found.ID != x.ID {
		t.Errorf("FindToken: %v, %v; want the renamed record", found, err)
	}
	if all, _ := s.GetTokens(ctx); len(all) != 1 {
		t.Errorf("GetTokens lists %d records; want 1", len(all))
	}
}

func testCorruptRecord(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	id := tokenstore.NewID()
	f.rawWrite(t, prefix+"/records/"+id, map[string]any{"record": "{not json"})
	if _, err := s.FindTokenByID(ctx, id); !errors.Is(err, tokenstore.ErrCorrupt) {
		t.Errorf("FindTokenByID(corrupt): got %v; want ErrCorrupt", err)
	}
	if _, err := s.GetTokens(ctx); !errors.Is(err, tokenstore.ErrCorrupt) {
		t.Errorf("GetTokens with a corrupt record: got %v; want ErrCorrupt", err)
	}
	if err := s.DeleteToken(ctx, id); err != nil {
		t.Errorf("DeleteToken(corrupt): %v", err)
	}
	if _, err := s.FindTokenByID(ctx, id); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID after deleting the corrupt record: got %v; want ErrNotFound", err)
	}
}
