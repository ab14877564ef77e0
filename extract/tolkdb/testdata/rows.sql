-- Three synthetic interpreters (made-up identity numbers and names) and
-- their languages. The newest change is 2017-11-30 14:05:09.25.
INSERT INTO tolk VALUES
	(1, '01017012345', 'Kari', 'Nordmann', 'kari@example.no', '40000001', 'K', 1970, '0301', true,  true,  '2012-03-01', NULL,         '2016-05-02 08:00:00'),
	(2, '41018012345', 'Ali',  NULL,       NULL,              NULL,       'M', NULL, NULL,   false, true,  '2014-06-15', NULL,         '2017-11-30 14:05:09.25'),
	(3, '15057512345', 'Mona', 'Berg',     NULL,              '40000003', 'K', 1975, '4601', false, false, '2015-01-10', '2017-02-01', '2017-02-01 12:30:00');
INSERT INTO tolk_sprak VALUES
	(1, 'ara', 1, '2012-03-01', NULL,         '2012-03-01 09:00:00'),
	(1, 'som', 4, '2013-09-01', '2016-05-01', '2016-05-02 08:00:00'),
	(2, 'tir', 3, '2014-06-15', NULL,         '2014-06-15 10:00:00'),
	(3, 'fas', 5, '2015-01-10', '2017-02-01', '2017-02-01 12:30:00');
