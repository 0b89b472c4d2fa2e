package httpapi

import (
	"reflect"
	"strings"
	"testing"
)

// Every field a queue card holds, at any depth, is part of its cache key:
// a card differing only there is rendered again, never served stale.
func TestCardCacheKeyCoversEveryField(t *testing.T) {
	cc := newCardCache()
	seen := map[uint64]string{cc.key(&queueCard{}, "csrf"): "the empty card"}
	var paths []string
	var visit func(path string, typ reflect.Type)
	visit = func(path string, typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				visit(path+"."+typ.Field(i).Name, typ.Field(i).Type)
			}
		case reflect.Pointer, reflect.Slice:
			visit(path+"[]", typ.Elem())
		default:
			paths = append(paths, path)
		}
	}
	visit("", reflect.TypeFor[queueCard]())
	if len(paths) < 25 {
		t.Fatalf("only %d fields found: %v", len(paths), paths)
	}
	for _, path := range paths {
		var c, d queueCard
		setLeaf(reflect.ValueOf(&c).Elem(), strings.Split(strings.TrimPrefix(path, "."), "."), 0)
		setLeaf(reflect.ValueOf(&d).Elem(), strings.Split(strings.TrimPrefix(path, "."), "."), 1)
		k := cc.key(&c, "csrf")
		if other, dup := seen[k]; dup {
			t.Errorf("a card with only %s set has the key of %s", path, other)
		}
		seen[k] = path
		if cc.key(&d, "csrf") == k {
			t.Errorf("two cards differing only in the value of %s have one key", path)
		}
	}
	if cc.key(&queueCard{}, "csrf") == cc.key(&queueCard{}, "other session") {
		t.Error("the CSRF token is not part of the key")
	}
	// Two strings split differently are different cards.
	if cc.key(&queueCard{Title: "ab", Company: "c"}, "") == cc.key(&queueCard{Title: "a", Company: "bc"}, "") {
		t.Error("field boundaries are not part of the key")
	}
}

// setLeaf sets the field path names in v to one of two values (variant 0
// or 1, the first never the zero value), allocating the pointers and
// one-element slices on the way.
func setLeaf(v reflect.Value, path []string, variant int) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice {
		if v.Kind() == reflect.Pointer {
			v.Set(reflect.New(v.Type().Elem()))
		} else {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			v = v.Index(0)
			continue
		}
		v = v.Elem()
	}
	if len(path) > 0 && v.Kind() == reflect.Struct {
		name := strings.TrimSuffix(path[0], "[]")
		setLeaf(v.FieldByName(name), path[1:], variant)
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString([]string{"x", "y"}[variant])
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(7 + variant))
	case reflect.Bool:
		v.SetBool(variant == 0)
	default:
		panic("setLeaf: " + v.Kind().String())
	}
}

// A card's HTML follows the application: the cache serves it again while
// nothing on it changed and renders it anew when something did.
func TestCardCacheRendersChanges(t *testing.T) {
	cc := newCardCache()
	c := queueCard{ID: 42, Status: "ready", StatusLabel: "ready", Title: "Backend Engineer", Company: "Acme", Selectable: true, CanApprove: true, ByEmail: true}
	first, err := cc.render(&c, "tok1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="app-42"`, "Backend Engineer", `id="approve-42"`, `value="tok1"`} {
		if !strings.Contains(string(first), want) {
			t.Errorf("card lacks %s:\n%s", want, first)
		}
	}
	again, _ := cc.render(&c, "tok1")
	if again != first {
		t.Error("the same card rendered differently")
	}
	c.Status, c.StatusLabel, c.Selectable, c.CanApprove, c.CanCancel = "approved", "approved", false, false, true
	changed, _ := cc.render(&c, "tok1")
	if strings.Contains(string(changed), `id="approve-42"`) || !strings.Contains(string(changed), `id="cancel-42"`) {
		t.Errorf("the approved card still offers approval, or no cancel:\n%s", changed)
	}
	other, _ := cc.render(&c, "tok2")
	if !strings.Contains(string(other), `value="tok2"`) || strings.Contains(string(other), "tok1") {
		t.Errorf("another session's card carries the first session's token:\n%s", other)
	}
	c.Title = `<script>alert(1)</script>`
	esc, _ := cc.render(&c, "tok1")
	if strings.Contains(string(esc), "<script>") {
		t.Errorf("the title is not escaped:\n%s", esc)
	}
	// A posting's link is third-party text: a script URL never becomes a
	// working link.
	c.CanCancel, c.LinkURL, c.LinkLabel = false, "javascript:alert(1)", "Apply on the site"
	link, _ := cc.render(&c, "tok1")
	if strings.Contains(string(link), "javascript:") || !strings.Contains(string(link), "Apply on the site") {
		t.Errorf("a script URL reached the card's link:\n%s", link)
	}
}
