// Regions: which names are valid (every region HSS is offered in, none of the malformed ones), and the endpoint of a service in a region.
package region

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The regions where HSS is offered, as Huawei Cloud names them.
var hssRegions = []string{
	"cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-11", "cn-north-12", "cn-east-2",
	"cn-east-3", "cn-east-4", "cn-east-5", "cn-south-1", "cn-south-2", "cn-south-4", "cn-southwest-2",
	"cn-southwest-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "af-south-1",
	"sa-brazil-1", "na-mexico-1", "la-south-2", "la-north-2", "tr-west-1", "ae-ad-1", "me-east-1",
	"my-kualalumpur-1", "eu-west-101", "ru-moscow-1",
}

func TestValid(t *testing.T) {
	for _, r := range hssRegions {
		assert.True(t, Valid(r), r)
	}
	for _, r := range []string{
		"", "cn", "north", "Cn-north-4", "cn_north_4", "cn-north-", "-cn-north", "cn--north",
		"cn-north-4.", "cn-north-4/x", "cn-north-4 ", "cn.evil.com", "a-b-c-d-e-f-g-h-i",
		strings.Repeat("a", 32) + "-" + strings.Repeat("b", 32), "ü-north-1",
	} {
		assert.False(t, Valid(r), "%q", r)
	}
	assert.True(t, Valid("a-b-c-d-e-f-g-h"), "eight parts")
	assert.True(t, Valid(strings.Repeat("a", 31)+"-"+strings.Repeat("b", 32)), "64 characters")
}

func TestEndpoint(t *testing.T) {
	assert.Equal(t, "https://hss.cn-north-4.myhuaweicloud.com", Endpoint("hss", "cn-north-4"))
	assert.Equal(t, "https://iam.ap-southeast-1.myhuaweicloud.com", Endpoint("iam", "ap-southeast-1"))
	assert.Equal(t, "https://hss.eu-west-101.myhuaweicloud.eu", Endpoint("hss", "eu-west-101"))
	assert.Equal(t, "https://iam.eu-west-101.myhuaweicloud.eu", Endpoint("iam", "eu-west-101"))
}
