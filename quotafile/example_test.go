// How a program shares the gateway's quotas through a quotafile.Store.
package quotafile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/quotafile"
)

// Share the gateway's quotas with every process on the host that uses the
// same file. A file that cannot be used costs the sharing, not the calls:
// the Client then keeps its quotas in memory.
func ExampleNew() {
	cacheDir, err := os.MkdirTemp("", "hss-example") // os.UserCacheDir() in a program
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(cacheDir)

	opts := []hss.Option{hss.WithToken("my-token")}
	store, err := quotafile.New(filepath.Join(cacheDir, "hss", "quota", "quotas"))
	if err != nil {
		log.Printf("hss: quota not shared: %v", err)
	} else {
		opts = append(opts, hss.WithQuotaStore(store))
		fmt.Println("quota shared through", filepath.Base(store.Path()))
	}
	client, err := hss.NewClient("https://hss.cn-north-4.myhuaweicloud.com", "my-project", opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Endpoint())
	// Output:
	// quota shared through quotas
	// https://hss.cn-north-4.myhuaweicloud.com
}
