package tokenstore

import (
	"encoding/json"
	"testing"
)

func TestMetaCloneEqual(t *testing.T) {
	m := Meta{"a": json.RawMessage(`1`)}
	c := m.Clone()
	c["a"][0] = '2'
	if !m.Equal(Meta{"a": json.RawMessage(`1`)}) || m.Equal(c) {
		t.Fatalf("Clone shares storage or Equal is wrong: %s, %s", m["a"], c["a"])
	}
	if !Meta(nil).Equal(Meta{}) || Meta(nil).Clone() != nil {
		t.Fatal("nil and empty Meta: want equal, and Clone(nil) nil")
	}
}
