package postgres

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
)

// lossyProxy sits between pgx and the real server on loopback and can
// lose the answer to one write: it passes the client's bytes on as they
// come, reads the server's messages one by one, and when the armed write
// completes (a CommandComplete of an INSERT, UPDATE or DELETE, counted
// from arm) it forwards nothing more, waits for the server's
// ReadyForQuery (sent after the statement's transaction committed) and
// closes both connections. The client sees its connection break with the
// write applied: a lost answer, on the wire.
//
// It speaks the protocol without TLS (the pools given to it have
// sslmode=disable), so every server message is a type byte and a length.
type lossyProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	writes int // writes completed since arm
	loseAt int // the write (1-based) whose answer is lost; 0 for none
	fired  int
}

func newLossyProxy(t testing.TB, target string) *lossyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &lossyProxy{ln: ln, target: target}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); p.serve(c, done) }()
		}
	}()
	return p
}

func (p *lossyProxy) port() uint16 { return uint16(p.ln.Addr().(*net.TCPAddr).Port) }

// arm makes the answer to the n-th write from now on get lost (0: none).
func (p *lossyProxy) arm(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes, p.loseAt, p.fired = 0, n, 0
}

// seen returns the writes completed since arm, and how many answers were
// lost.
func (p *lossyProxy) seen() (writes, fired int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes, p.fired
}

func (p *lossyProxy) serve(client net.Conn, done <-chan struct{}) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		_, _ = io.Copy(server, client)
		server.Close()
	}()
	go func() {
		<-done
		client.Close()
		server.Close()
	}()
	var hdr [5]byte
	losing := false
	for {
		if _, err := io.ReadFull(server, hdr[:]); err != nil {
			return
		}
		body := make([]byte, int(binary.BigEndian.Uint32(hdr[1:]))-4)
		if _, err := io.ReadFull(server, body); err != nil {
			return
		}
		if losing {
			if hdr[0] == 'Z' { // ReadyForQuery: committed; now break the connection
				return
			}
			continue
		}
		if hdr[0] == 'C' && isWriteTag(body) && p.lose() {
			losing = true
			continue
		}
		if _, err := client.Write(append(hdr[:], body...)); err != nil {
			return
		}
	}
}

// lose counts one completed write and reports whether its answer is the
// one to lose.
func (p *lossyProxy) lose() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes++
	if p.loseAt != 0 && p.writes == p.loseAt {
		p.fired++
		return true
	}
	return false
}

func isWriteTag(tag []byte) bool {
	for _, w := range []string{"INSERT ", "UPDATE ", "DELETE "} {
		if bytes.HasPrefix(tag, []byte(w)) {
			return true
		}
	}
	return false
}
