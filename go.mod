module github.com/tokenstore-go/tokenstore

go 1.22
