package portal

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Sheet names and headings of the workbook, in both languages.
var (
	txtSheetValues = text{"Tall", "Figures"}
	txtSheetNotes  = text{"Merknader", "Notes"}
	xlsxHeader     = map[lang][]any{
		langNB: {"indikator", "indikatornavn", "aar", "niva", "region", "region_navn", "verdi", "teller", "nevner", "status", "data_per"},
		langEN: {"indicator", "indicator_name", "year", "level", "region", "region_name", "value", "numerator", "denominator", "status", "data_as_of"},
	}
	txtXLSXNotes = map[lang][][]any{
		langNB: {{"Publikasjon"}, {"Data per"}, {"Bygget"}, {"Kilde"}, {"Lisens"}},
		langEN: {{"Publication"}, {"Data as of"}, {"Built"}, {"Source"}, {"Licence"}},
	}
)

// valuesXLSX writes values as an Excel workbook: one row per figure with
// the numbers as numbers (a suppressed figure shows ':' in place of the
// value, a figure that cannot be stated '.'), and a sheet of notes
// explaining the statuses and defining the indicators.
func (s *snapshot) valuesXLSX(values []Value, l lang) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	main := txtSheetValues.in(l)
	if err := f.SetSheetName("Sheet1", main); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(main)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetRow("A1", xlsxHeader[l]); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	var used []string
	seen := map[string]bool{}
	for i, v := range values {
		ind := s.indicators[v.Indicator].in(l)
		if !seen[v.Indicator] {
			seen[v.Indicator] = true
			used = append(used, v.Indicator)
		}
		var verdi, teller, nevner any
		switch {
		case v.Verdi != nil:
			verdi = *v.Verdi
		case v.Status == ":" || v.Status == ".":
			verdi = v.Status
		}
		if v.Teller != nil {
			teller = *v.Teller
		}
		if v.Nevner != nil {
			nevner = *v.Nevner
		}
		row := []any{v.Indicator, ind.Name, v.Year, v.Level, v.Region, v.RegionName, verdi, teller, nevner, v.Status, v.DataPer}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}

	notes := txtSheetNotes.in(l)
	if _, err := f.NewSheet(notes); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	rows := [][]any{}
	for i, r := range txtXLSXNotes[l] {
		val := []string{s.pub.ID, s.pub.AsOf, s.pub.Built, txtSource.in(l), licence.name + " " + licence.href.in(l)}[i]
		rows = append(rows, append(append([]any{}, r...), val))
	}
	rows = append(rows, []any{}, []any{":", txtSuppressed.in(l)}, []any{"p", txtPreliminary.in(l)}, []any{".", txtNotStated.in(l)}, []any{})
	rows = append(rows, []any{xlsxHeader[l][0], xlsxHeader[l][1], txtUnit.in(l), txtDefinition.in(l)})
	for _, id := range used {
		ind := s.indicators[id].in(l)
		rows = append(rows, []any{id, ind.Name, ind.Unit, ind.Plain})
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(notes, cell, &r); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return b.Bytes(), nil
}
