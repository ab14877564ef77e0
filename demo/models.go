package demo

import (
	"fmt"
	"log/slog"
)

// models is one replica's population of the three sources.
type models struct {
	bos  *bosetting
	nir  *nirModel
	tolk *tolkModel
}

// buildModels draws and calibrates one replica: settlement first, since
// settled refugees go on into the introduction programme in NIR.
func buildModels(w *world, factor float64, log *slog.Logger) (*models, error) {
	m := &models{}
	var err error
	if m.bos, err = newBosetting(w, factor, log); err != nil {
		return nil, fmt.Errorf("settlement: %w", err)
	}
	if m.nir, err = newNIR(w, m.bos.settledPersons(), factor, log); err != nil {
		return nil, fmt.Errorf("nir: %w", err)
	}
	if m.tolk, err = newTolk(w, factor, log); err != nil {
		return nil, fmt.Errorf("tolk: %w", err)
	}
	return m, nil
}

// emit writes the replica's rows of d's source as known at d's extraction.
func (m *models) emit(d *deliveryOut) error {
	switch d.source {
	case "nir":
		return m.nir.emit(d)
	case "bosetting":
		return m.bos.emit(d)
	case "tolk":
		return m.tolk.emit(d)
	}
	return fmt.Errorf("unknown source %q", d.source)
}
