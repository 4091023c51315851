/* agglo distribution: the probability tails every test in agglo uses (normal, chi-square,
 * Student t, F) and the t critical value, one implementation shared by GWR, the regression
 * and panel models and the detectors. Accuracy: close to double precision away from
 * underflow (continued fractions by the modified Lentz method, Numerical Recipes 6.2/6.4). */
#ifndef AGGLO_DISTRIBUTION_H
#define AGGLO_DISTRIBUTION_H

#ifdef __cplusplus
extern "C" {
#endif

double agglo_pnorm_upper(double z);                        /* P(Z > z) */
double agglo_pchisq_upper(double x, double df);            /* P(X > x) */
double agglo_t_upper(double t, double df);                 /* P(T > t) */
double agglo_pt_two_sided(double t, double df);            /* P(|T| > |t|) */
double agglo_pf_upper(double f, double df1, double df2);   /* P(F > f) */
/* Two-sided critical value of Student's t: P(|T_df| > t) = alpha. */
double agglo_t_critical(double alpha, double df);

#ifdef __cplusplus
}
#endif
#endif
