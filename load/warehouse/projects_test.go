package warehouse

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestProjects registers a project, refuses it twice, replaces it, and
// keeps what each registration's extracts delivered apart.
func TestProjects(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r1 := Registration{ID: "r1", Project: "P", Approval: "REK 1", ApprovedBy: "REK vest", ValidFrom: day, ValidTo: day.AddDate(1, 0, 0),
		Approved: map[string][]string{"nir_personer": {"kjonn"}}, SpecHash: "h1", RegisteredAt: day}
	if _, ok, err := w.ProjectRegistration(ctx, "P"); ok || err != nil {
		t.Fatalf("before registering: %v, %v", ok, err)
	}
	if err := w.RegisterProject(ctx, r1, false); err != nil {
		t.Fatal(err)
	}
	got, ok, err := w.ProjectRegistration(ctx, "P")
	if !ok || err != nil || got.ID != "r1" || !reflect.DeepEqual(got.Approved, r1.Approved) || !got.ValidTo.Equal(r1.ValidTo) || got.ApprovedBy != "REK vest" {
		t.Errorf("registration %+v, %v, %v", got, ok, err)
	}
	if err := w.RegisterProject(ctx, Registration{ID: "r2", Project: "P", Approval: "REK 1", ApprovedBy: "x", Approved: map[string][]string{}}, false); !errors.Is(err, ErrRegistered) {
		t.Errorf("registered twice: %v", err)
	}
	if err := w.RecordDelivered(ctx, "r1", 1, []Delivered{{"a", "nir_personer {}"}, {"b", "nir_personer {}"}}); err != nil {
		t.Fatal(err)
	}
	r2 := r1
	r2.ID = "r2"
	if err := w.RegisterProject(ctx, r2, true); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := w.ProjectRegistration(ctx, "P"); got.ID != "r2" {
		t.Errorf("after replacing: registration %s, want r2", got.ID)
	}
	if ds, n, err := w.DeliveredTo(ctx, "r1"); err != nil || n != 1 || len(ds) != 2 {
		t.Errorf("delivered to r1: %v, %d, %v", ds, n, err)
	}
	if ds, n, err := w.DeliveredTo(ctx, "r2"); err != nil || n != 0 || len(ds) != 0 {
		t.Errorf("delivered to r2: %v, %d, %v", ds, n, err)
	}
}
