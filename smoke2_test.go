package hss_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func TestSmokeAKSK(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("t", 30), hsstest.WithAKSK("AKTEST123", "secret-key-123"), hsstest.WithoutTokenAuth())
	defer srv.Close()
	c := srv.Client(t, hss.WithAKSK("AKTEST123", "secret-key-123"))
	page, err := c.ListSyncTaskRegistries(context.Background(), "t", &hss.ListSyncTaskRegistriesOptions{RegistryName: "my reg+x", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(page.TotalNum, srv.Requests()[0].Auth, srv.Requests()[0].AuthError)
	_, err = srv.Client(t).ListSyncTaskRegistries(context.Background(), "t", nil)
	t.Log(err)
	var out map[string]any
	srv.HandleFunc("POST", "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"task_id":"x"}`))
	})
	id, err := c.Do(context.Background(), "POST", "/v5/{project_id}/image/image-sync/tasks", nil, map[string]any{"a": 1}, &out)
	t.Log(id, err, out)
}
