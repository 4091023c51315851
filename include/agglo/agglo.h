/* agglo: spatial econometrics on shapefiles. Umbrella header. */
#ifndef AGGLO_H
#define AGGLO_H

#include "agglo/core.h"
#include "agglo/table.h"
#include "agglo/expr.h"
#include "agglo/layer.h"
#include "agglo/output.h"
#include "agglo/rng.h"
#include "agglo/weights.h"
#include "agglo/join.h"
#include "agglo/plot.h"
#include "agglo/index.h"
/* Modules added by later work; included when present. */
#if __has_include("agglo/autocorr.h")
#include "agglo/autocorr.h"
#endif
#if __has_include("agglo/gwr.h")
#include "agglo/gwr.h"
#endif
#if __has_include("agglo/kde.h")
#include "agglo/kde.h"
#endif
#if __has_include("agglo/concentration.h")
#include "agglo/concentration.h"
#endif
#if __has_include("agglo/points.h")
#include "agglo/points.h"
#endif

#endif
