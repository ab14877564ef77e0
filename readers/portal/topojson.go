package portal

import (
	"encoding/json"
	"fmt"
)

// A topology is the part of a TopoJSON document
// (https://github.com/topojson/topojson-specification) the maps use: arcs,
// shared by neighbouring regions, and objects whose polygons list the arcs
// of their rings by index (~i: arc i reversed). A quantized topology has a
// transform: its arcs are delta-encoded integers.
type topology struct {
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string            `json:"type"`
			Arcs       json.RawMessage   `json:"arcs"`
			Properties map[string]string `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
	Arcs [][][2]float64 `json:"arcs"`
}

// outline is one region's shape: its polygons, each a list of rings of
// (longitude, latitude) points.
type outline struct {
	Code, Name string
	Polygons   [][][][2]float64
}

// decodeTopoJSON reads the outlines of every object's geometries; codeProp
// and nameProp name the properties holding a region's code and name.
func decodeTopoJSON(data []byte, codeProp, nameProp string) ([]outline, error) {
	var t topology
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("topojson: %w", err)
	}
	arcs := t.Arcs
	if tr := t.Transform; tr != nil {
		arcs = make([][][2]float64, len(t.Arcs))
		for i, a := range t.Arcs {
			var x, y float64
			arcs[i] = make([][2]float64, len(a))
			for j, p := range a {
				x, y = x+p[0], y+p[1]
				arcs[i][j] = [2]float64{x*tr.Scale[0] + tr.Translate[0], y*tr.Scale[1] + tr.Translate[1]}
			}
		}
	}
	ring := func(idx []int) ([][2]float64, error) {
		var pts [][2]float64
		for k, i := range idx {
			rev := i < 0
			if rev {
				i = ^i
			}
			if i >= len(arcs) {
				return nil, fmt.Errorf("topojson: arc %d of %d", i, len(arcs))
			}
			a := arcs[i]
			for j := range a {
				p := a[j]
				if rev {
					p = a[len(a)-1-j]
				}
				if k > 0 && j == 0 { // the arcs of a ring share their ends
					continue
				}
				pts = append(pts, p)
			}
		}
		return pts, nil
	}
	var out []outline
	for name, obj := range t.Objects {
		for _, g := range obj.Geometries {
			var polys [][][]int
			switch g.Type {
			case "Polygon":
				var p [][]int
				if err := json.Unmarshal(g.Arcs, &p); err != nil {
					return nil, fmt.Errorf("topojson: %s: %w", name, err)
				}
				polys = [][][]int{p}
			case "MultiPolygon":
				if err := json.Unmarshal(g.Arcs, &polys); err != nil {
					return nil, fmt.Errorf("topojson: %s: %w", name, err)
				}
			default:
				return nil, fmt.Errorf("topojson: %s: geometry %q is not a polygon", name, g.Type)
			}
			o := outline{Code: g.Properties[codeProp], Name: g.Properties[nameProp]}
			if o.Code == "" {
				return nil, fmt.Errorf("topojson: %s: a geometry without %s", name, codeProp)
			}
			for _, p := range polys {
				var rings [][][2]float64
				for _, r := range p {
					pts, err := ring(r)
					if err != nil {
						return nil, err
					}
					rings = append(rings, pts)
				}
				o.Polygons = append(o.Polygons, rings)
			}
			out = append(out, o)
		}
	}
	return out, nil
}
