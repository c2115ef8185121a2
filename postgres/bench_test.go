package postgres

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkOps times each operation of costOps on the real server and
// reports the statements it makes (reads/op, writes/op: what TestCosts
// pins), plus GetTokens and DeleteTokens over 100 records. The figures in
// BENCHMARKS.md come from
//
//	go test -run '^$' -bench . -benchtime 200x -count 1 ./
//
// with the PG* variables of scripts/testenv/postgres.sh env.
func BenchmarkOps(b *testing.B) {
	pool := testPool(b)
	table := testTable(b, pool)
	ctx := context.Background()
	for _, op := range costOps {
		b.Run(op.name, func(b *testing.B) {
			s, db := costStore(b, pool, table)
			var reads, writes int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				a, err := op.prepare(ctx, s, i)
				if err != nil {
					b.Fatal(err)
				}
				r0, w0 := db.counts()
				b.StartTimer()
				if err := op.run(ctx, s, a); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				r1, w1 := db.counts()
				reads, writes = reads+r1-r0, writes+w1-w0
				b.StartTimer()
			}
			b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
		})
	}
	for _, n := range []int{100} {
		b.Run(fmt.Sprintf("GetTokens/%d", n), func(b *testing.B) {
			s, db := costStore(b, pool, table)
			for i := range n {
				if _, err := stored(ctx, s, i); err != nil {
					b.Fatal(err)
				}
			}
			r0, _ := db.counts()
			b.ResetTimer()
			for range b.N {
				if got, err := s.GetTokens(ctx); err != nil || len(got) != n {
					b.Fatalf("GetTokens: %d records, %v; want %d", len(got), err, n)
				}
			}
			r1, _ := db.counts()
			b.ReportMetric(float64(r1-r0)/float64(b.N), "reads/op")
		})
		b.Run(fmt.Sprintf("DeleteTokens/%d", n), func(b *testing.B) {
			s, db := costStore(b, pool, table)
			var reads, writes int64
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				for i := range n {
					if _, err := stored(ctx, s, i); err != nil {
						b.Fatal(err)
					}
				}
				r0, w0 := db.counts()
				b.StartTimer()
				if err := s.DeleteTokens(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				r1, w1 := db.counts()
				reads, writes = reads+r1-r0, writes+w1-w0
				b.StartTimer()
			}
			b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
		})
	}
}
