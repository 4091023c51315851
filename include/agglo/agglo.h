/* agglo: spatial econometrics on shapefiles. Umbrella header: every public header, in the
 * order of the data flow (core -> io -> geom/index/weights -> statistics and models -> plot).
 * Plain C11. */
#ifndef AGGLO_H
#define AGGLO_H

#include "agglo/core.h"
#include "agglo/check.h"
#include "agglo/rng.h"
#include "agglo/table.h"
#include "agglo/expr.h"
#include "agglo/layer.h"
#include "agglo/output.h"
#include "agglo/distribution.h"
#include "agglo/geom.h"
#include "agglo/join.h"
#include "agglo/index.h"
#include "agglo/weights.h"
#include "agglo/autocorr.h"
#include "agglo/concentration.h"
#include "agglo/points.h"
#include "agglo/kde.h"
#include "agglo/gwr.h"
#include "agglo/mgwr.h"
#include "agglo/regress.h"
#include "agglo/panel.h"
#include "agglo/discretize.h"
#include "agglo/geodetector.h"
#include "agglo/inequality.h"
#include "agglo/composite.h"
#include "agglo/markov.h"
#include "agglo/describe.h"
#include "agglo/dynamics.h"
#include "agglo/plot.h"

#endif
