// Package region turns Huawei Cloud region names into service endpoints.
package region

// Valid reports whether r looks like a region name: lower-case letters and
// digits in 2-8 dash-separated parts, at most 64 characters, such as
// "cn-north-4".
func Valid(r string) bool {
	if len(r) == 0 || len(r) > 64 {
		return false
	}
	parts, partLen := 1, 0
	for i := 0; i < len(r); i++ {
		switch ch := r[i]; {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			partLen++
		case ch == '-':
			if partLen == 0 {
				return false
			}
			parts++
			partLen = 0
		default:
			return false
		}
	}
	return partLen > 0 && parts >= 2 && parts <= 8
}

// Endpoint returns https://{service}.{r}.{domain}, where the domain is
// myhuaweicloud.eu for eu-west-101 and myhuaweicloud.com elsewhere. r must
// be Valid.
func Endpoint(service, r string) string {
	domain := "myhuaweicloud.com"
	if r == "eu-west-101" {
		domain = "myhuaweicloud.eu"
	}
	return "https://" + service + "." + r + "." + domain
}
