-- Model f reads the reference relation kilde in a join without declaring
-- it: what it reads is declared, models and external relations alike.
-- depends: e
SELECT e.x
FROM e JOIN kilde USING (x)
