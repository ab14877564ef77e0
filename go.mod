module integstat

go 1.26.8
