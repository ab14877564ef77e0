package delivery

// Null reports whether the value is null or absent (Kind 0); the readers
// of production take its empty Raw as null.
func (v JSONValue) Null() bool { return v.Kind == 0 }
