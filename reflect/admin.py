"""Django admin for site operators. It never shows journal text: entries appear
by number with metadata only, and revisions are not registered at all."""

from django.contrib import admin

from reflect.models import AuditEvent, Cohort, JournalEntry, Membership, Programme, Prompt


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "required_client_hours", "required_personal_therapy_hours"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "start_date", "end_date", "time_zone"]
    list_filter = ["programme"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "role"]
    list_filter = ["role", "cohort"]
    search_fields = ["user__email", "user__display_name"]
    filter_horizontal = ["assigned_trainees"]


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "cohort", "kind", "visibility", "status", "created_at", "deleted_at"]
    list_filter = ["kind", "visibility", "status"]
    fields = ["author", "cohort", "kind", "visibility", "status", "created_at", "updated_at", "deleted_at"]
    readonly_fields = fields
    search_fields = ["author__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["__str__", "theme", "is_active"]
    list_filter = ["theme", "is_active"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, to read only: it is append-only for everyone, operators included."""

    list_display = ["at", "action", "actor", "subject", "cohort", "self_appointed", "detail"]
    list_filter = ["action", "self_appointed", "cohort"]
    list_select_related = ["actor", "subject", "cohort"]
    search_fields = ["actor__email", "actor__display_name", "subject__email", "subject__display_name", "detail"]
    date_hierarchy = "at"
    fields = ["at", "action", "actor", "subject", "cohort", "self_appointed", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
