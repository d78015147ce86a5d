module github.com/hashdeck/hashdeck

go 1.26

require (
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	golang.org/x/net v0.43.0 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)
