module github.com/hsskit/hss

go 1.24

require github.com/google/go-querystring v1.2.0
