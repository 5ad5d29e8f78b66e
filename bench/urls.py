from django.urls import path

from govreg.urls import urlpatterns as govreg_urlpatterns

from . import ladder

urlpatterns = [
    path("bench/l0/", ladder.l0_empty),
    path("bench/l1/", ladder.l1_raw_sql),
    path("bench/l2/", ladder.l2_orm_values),
    path("bench/l3/", ladder.l3_bare_page),
    *govreg_urlpatterns,
]
