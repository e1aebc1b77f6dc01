module github.com/hsskit/hss

go 1.24

require github.com/google/go-querystring v1.2.0

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
