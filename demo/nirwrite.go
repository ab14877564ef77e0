package demo

import (
	"fmt"
	"strconv"
	"time"

	"integstat/extract/delivery"
)

// emit writes the NIR tables as known at d's extraction: rows registered by
// then, with the start and end dates and hours registered by then.
func (m *nirModel) emit(d *deliveryOut) error {
	asOf := d.day
	per, intro, norsk, timer := d.table("personer"), d.table("introprogram"), d.table("norskopplaering"), d.table("timer")
	var tot []hoursTotal
	for i := range m.persons {
		p := &m.persons[i]
		if !p.active || !p.registeredBy(asOf) {
			continue
		}
		m.emitPerson(per, p, i, d)
		for j := range p.spells {
			s := &p.spells[j]
			start, slutt, ok := s.knownAt(asOf)
			if !ok {
				continue
			}
			avsl := ""
			if !slutt.IsZero() {
				avsl = s.avsl
			}
			intro.row("V"+strconv.FormatUint(s.id, 10), p.numberAt(s.reg), s.kommune, s.rett, fmtDate(s.rp),
				fmtDate(s.vedtak), fmtDate(start), fmtDate(slutt), avsl, delivery.FormatBool(s.utvidet),
				string(s.spor), m.stamp(s.reg, uint64(i), uint64(j)))
		}
		tot = m.emitHours(timer, p, i, asOf, tot[:0])
		for j := range p.train {
			t := &p.train[j]
			if t.reg.After(asOf) {
				continue
			}
			first := known(t.first, t.firstKnown, asOf)
			n, s := "", ""
			if tot[j].norsk > 0 || !first.IsZero() {
				n = delivery.FormatDecimal(tot[j].norsk, 1)
				s = delivery.FormatDecimal(tot[j].samf, 1)
			}
			norsk.row(p.numberAt(t.reg), t.kommune, t.rett, fmtDate(t.rp), fmtDate(first), n, s,
				m.stamp(t.reg, uint64(i), uint64(100+j)))
		}
	}
	return nil
}

// registeredBy reports whether anything of p is in NIR by day asOf.
func (p *nirPerson) registeredBy(asOf time.Time) bool {
	t, ok := p.firstReg()
	return ok && !t.After(asOf)
}

// firstReg is the day anything of p was first registered in NIR.
func (p *nirPerson) firstReg() (time.Time, bool) {
	first := p.earliest(func(s *nirSpell) time.Time { return s.reg }, func(t *nirTraining) time.Time { return t.reg })
	return first, !first.IsZero()
}

// numberAt is the identity number rows registered on day t carry: the old
// D-number before the change to a fødselsnummer, the new one after.
func (p *nirPerson) numberAt(t time.Time) string {
	if p.newNum != "" && !p.change.After(t) {
		return p.newNum
	}
	return p.number
}

func (m *nirModel) emitPerson(per *tableOut, p *nirPerson, i int, d *deliveryOut) {
	asOf := d.day
	fnr, prev := p.number, ""
	first, _ := p.firstReg()
	changed := first
	if p.newNum != "" && !p.change.After(asOf) {
		fnr, prev = p.newNum, p.number
		changed = maxTime(first, p.change)
	}
	h := mix(uint64(i), 77)
	addr := fmt.Sprintf("%s %d", streetNames[h%uint64(len(streetNames))], 1+(h>>8)%120)
	post := fmt.Sprintf("%04d", 1+(h>>16)%9990)
	home := m.homeAt(p, asOf)
	vals := []string{fnr, p.given, p.family, fmtDate(p.birth), sexCode(p.female), p.country, p.country, p.innv,
		addr, post, home, prev, m.stamp(changed, uint64(i), 999)}
	if per.badRate > 0 && i%4000 == 17 {
		// A street address with a ';' and a line break inside quotes: a
		// valid row the reader must keep whole.
		vals[8] = addr + ";\nH0" + strconv.Itoa(101+int(h%300))
		per.tolerated("adresse", FaultMultiline, vals...)
		return
	}
	per.row(vals...)
}

func sexCode(female bool) string {
	if female {
		return "K"
	}
	return "M"
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// stamp turns a registration day into a timestamp within office hours,
// the same in every delivery.
func (m *nirModel) stamp(day time.Time, a, b uint64) string {
	h := mix(a, b)
	return day.Add(time.Duration(8*3600+h%(9*3600)) * time.Second).Format("2006-01-02 15:04:05")
}

// mix is SplitMix64 over two numbers: a cheap deterministic hash that keeps
// generated hours the same in every delivery without storing them.
func mix(a, b uint64) uint64 {
	z := a*0x9E3779B97F4A7C15 + b + 0x632BE59BD9B4E5A9
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

type hoursTotal struct{ norsk, samf float64 }

// hours returns a deterministic number of hours in [lo, hi) in half hours.
func hours(h uint64, lo, hi int) float64 {
	return float64(lo) + float64(h%uint64(2*(hi-lo)))/2
}

// emitHours writes p's timer rows visible at asOf and returns the hours of
// Norwegian and social studies attached to each of p's training rows.
func (m *nirModel) emitHours(timer *tableOut, p *nirPerson, pi int, asOf time.Time, tot []hoursTotal) []hoursTotal {
	for range p.train {
		tot = append(tot, hoursTotal{})
	}
	trainOf := func(k string, at time.Time) int {
		for j := range p.train {
			if m.w.codeOn(p.train[j].kommune, p.train[j].rp, at) == k {
				return j
			}
		}
		return -1
	}
	seen := map[string]bool{} // a key written once: two spells in one month share the month's hours
	row := func(k string, mon time.Time, tiltak, program string, h float64, seq uint64) {
		key := k + mon.Format("200601") + tiltak + program
		if seen[key] {
			return
		}
		seen[key] = true
		reg := monthEnd(mon).AddDate(0, 0, p.timerLag)
		fr := float64(mix(uint64(pi), seq)%7) / 2
		timer.row(p.numberAt(reg), k, mon.Format("2006-01"), tiltak, program,
			delivery.FormatDecimal(h, 1), delivery.FormatDecimal(fr, 1), m.stamp(reg, uint64(pi), seq))
	}
	visible := func(mon time.Time) bool {
		return !mon.After(monthStart(horizon)) && !monthEnd(mon).AddDate(0, 0, p.timerLag).After(asOf)
	}
	inSpell := map[string]bool{} // kommune+month covered by a spell
	for j := range p.spells {
		s := &p.spells[j]
		if s.start.IsZero() {
			continue
		}
		last := monthStart(s.slutt)
		n := 0
		for mon := monthStart(s.start); !mon.After(last) && visible(mon); mon = mon.AddDate(0, 1, 0) {
			k := m.w.codeOn(s.kommune, s.vedtak, mon)
			inSpell[k+mon.Format("200601")] = true
			seq := uint64(j)<<32 | uint64(mon.Year()*12+int(mon.Month()))<<4
			h := mix(uint64(pi), seq)
			no := hours(h, 20, 60)
			row(k, mon, "NORSK", "INTRO", no, seq|1)
			ti := trainOf(k, mon)
			if ti >= 0 {
				tot[ti].norsk += no
			}
			if n < 6 {
				sa := hours(h>>8, 5, 15)
				row(k, mon, "SAMF", "INTRO", sa, seq|2)
				if ti >= 0 {
					tot[ti].samf += sa
				}
			}
			y := mon.Year()
			yk := m.yearCode(s.kommune, s.vedtak, y)
			if s.grunnskole && m.offer.grunnskole[y][yk] {
				row(k, mon, "GRUNNSKOLE", "INTRO", hours(h>>16, 20, 80), seq|3)
			}
			if s.vgs && m.offer.vgs[y][yk] {
				row(k, mon, "VGS", "INTRO", hours(h>>24, 20, 80), seq|4)
			}
			if n >= 6 && (h>>32)%10 < 4 {
				row(k, mon, "ARBEIDSPRAKSIS", "INTRO", hours(h>>40, 20, 60), seq|5)
			}
			if (h>>48)%20 == 0 {
				row(k, mon, "ANNET", "INTRO", hours(h>>52, 2, 10), seq|6)
			}
			n++
		}
	}
	for j := range p.train {
		t := &p.train[j]
		if t.first.IsZero() || t.last.IsZero() || t.rett == "KV" {
			continue
		}
		for mon := monthStart(t.first); !mon.After(t.last) && visible(mon); mon = mon.AddDate(0, 1, 0) {
			k := m.w.codeOn(t.kommune, t.rp, mon)
			if inSpell[k+mon.Format("200601")] {
				continue
			}
			seq := uint64(100+j)<<32 | uint64(mon.Year()*12+int(mon.Month()))<<4
			h := mix(uint64(pi), seq)
			no := hours(h, 8, 30)
			row(k, mon, "NORSK", "NORSK", no, seq|1)
			tot[j].norsk += no
			if t.rett != "ASYL" && (h>>8)%5 == 0 {
				sa := hours(h>>16, 4, 12)
				row(k, mon, "SAMF", "NORSK", sa, seq|2)
				tot[j].samf += sa
			}
		}
	}
	return tot
}
