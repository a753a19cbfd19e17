"""Course admin pages under /manage/, one URL module per capability."""

from reflect.manage import audit_urls, checkpoint_urls, core_urls, report_urls, roster_urls

urlpatterns = (
    core_urls.urlpatterns
    + roster_urls.urlpatterns
    + report_urls.urlpatterns
    + checkpoint_urls.urlpatterns
    + audit_urls.urlpatterns
)
