from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect"

    def ready(self) -> None:
        # The outbox is low in the layers and cannot import the capabilities whose
        # emails it sends; they register their kinds of delivery here.
        from reflect.manage.mailing import register_kinds as register_manage_kinds
        from reflect.outbox.account_mail import register_kinds as register_account_kinds
        from reflect.reminders.emails import register_kinds as register_reminder_kinds

        register_reminder_kinds()
        register_manage_kinds()
        register_account_kinds()
