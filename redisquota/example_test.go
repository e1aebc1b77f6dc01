// How a fleet shares the gateway's quotas through a redisquota.Store.
package redisquota_test

import (
	"fmt"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/redisquota"
)

// Share the gateway's quotas with every Client of the fleet that uses the
// same Redis and prefix. Nothing is sent until the Client's first call; a
// Redis that fails or is slow costs the sharing, not the calls.
func ExampleNew() {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"localhost:6379"},
		ContextTimeoutEnabled: true, // go-redis bounds each call by the Client's context
	})
	defer rdb.Close()

	store := redisquota.New(rdb, "hss:quota:")
	client, err := hss.NewClient("https://hss.cn-north-4.myhuaweicloud.com", "my-project",
		hss.WithToken("my-token"), hss.WithQuotaStore(store))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Endpoint(), store.Prefix())
	// Output: https://hss.cn-north-4.myhuaweicloud.com hss:quota:
}
