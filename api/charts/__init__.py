"""PNG charts, one module per kind: `progress` (a user's progress), `training` (a training job, epoch by epoch),
both drawn with the phone-sized style of `draw`. Pure: no Flask, no database."""
