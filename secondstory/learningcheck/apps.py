from django.apps import AppConfig


class LearningCheckConfig(AppConfig):
    name = "secondstory.learningcheck"
    label = "learningcheck"
    verbose_name = "Learning check"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from secondstory.audit.capture import Tracked, track
        from secondstory.learningcheck import services
        from secondstory.learningcheck.models import Survey
        from secondstory.postmortems.models import PostmortemTransition

        # Opening and closing are recorded; answers and who answered never are.
        track(Survey, Tracked())
        post_save.connect(
            services.open_on_review, sender=PostmortemTransition, dispatch_uid="learningcheck"
        )
