from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect"

    def ready(self) -> None:
        # The outbox is low in the layers and cannot import the capabilities whose
        # emails it sends; they register their kinds of delivery here.
        from django.contrib.auth.signals import user_logged_in

        from reflect.access.sessions import note_sign_in
        from reflect.manage.mailing import register_kinds as register_manage_kinds
        from reflect.outbox.account_mail import register_kinds as register_account_kinds
        from reflect.reminders.emails import register_kinds as register_reminder_kinds

        user_logged_in.connect(note_sign_in, dispatch_uid="reflect.session_limits")

        register_reminder_kinds()
        register_manage_kinds()
        register_account_kinds()
