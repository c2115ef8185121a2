module github.com/tokenstore-go/tokenstore

go 1.22

require golang.org/x/sync v0.11.0
