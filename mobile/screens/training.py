"""Training (admins): jobs with their status, a metric per epoch as a chart, and the models to activate."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import StringProperty

from mobile.screens.base import BaseScreen

PREFERRED = ("map50_95", "map50", "top1", "precision", "recall", "val_box_loss", "train_box_loss")
STATUS_COLOURS = {"succeeded": "2e7d32", "failed": "c62828", "running": "1565c0", "queued": "6b6b75",
                  "cancelled": "6b6b75", "interrupted": "d9822b"}  # fmt: skip


def load_training(client) -> dict:
    return {"jobs": client.training_jobs()["items"], "models": client.models()["items"]}


class TrainingScreen(BaseScreen):
    title_text = "Training"
    job_title = StringProperty("Metrics per epoch")
    metric = StringProperty("")
    metrics: dict | None = None

    def show(self, **kwargs) -> None:
        self.error = ""
        if not self.app.is_admin:
            self.error = "Training is for admins only."
        self.app.call(load_training, self.app.client, on_ok=self.loaded, on_error=self.fail)

    def loaded(self, data: dict) -> None:
        self.data = data
        jobs = self.ids.jobs
        jobs.clear_widgets()
        for job in data["jobs"]:
            colour = STATUS_COLOURS.get(job["status"], "6b6b75")
            text = (
                f"[b]Job {job['id']}[/b]  {job.get('task', '')}  [color={colour}]{job['status']}[/color]\n"
                f"[size=12sp][color=6b6b75]epoch {job.get('epoch', 0)} of {job.get('epochs', '?')}  |  "
                f"started {(job.get('created_at') or '')[:16].replace('T', ' ')}[/color][/size]"
            )
            button = Factory.ListButton(text=text)
            button.bind(on_release=lambda _b, j=job: self.open_job(j["id"]))
            jobs.add_widget(button)
        if not data["jobs"]:
            jobs.add_widget(Factory.Muted(text="No training jobs."))
        self._fill_models(data["models"])
        with_epochs = sorted((job for job in data["jobs"] if job.get("epoch")),
                             key=lambda job: job["status"] not in ("running", "succeeded"))  # fmt: skip
        if with_epochs and self.metrics is None:
            self.open_job(with_epochs[0]["id"])

    def _fill_models(self, models: list) -> None:
        box = self.ids.models
        box.clear_widgets()
        for model in models:
            row = Factory.Card()
            metrics = model.get("metrics") or {}
            score = metrics.get("map50_95", metrics.get("top1"))
            state = "active" if model.get("is_active") else "not active"
            line = f"[b]{model['name']}[/b]  ({model.get('task')}, {state})"
            if score is not None:
                line += f"\n[size=12sp]{'mAP50-95' if 'map50_95' in metrics else 'top-1'} {score:.3f}[/size]"
            row.add_widget(Factory.WrapLabel(text=line, markup=True))
            button = Factory.FlatButton(text="Active" if model.get("is_active") else "Activate")
            button.disabled = bool(model.get("is_active"))
            button.bind(on_release=lambda _b, m=model: self.activate(m["id"]))
            row.add_widget(button)
            box.add_widget(row)
        if not models:
            box.add_widget(Factory.Muted(text="No trained models yet."))

    def open_job(self, job_id: int) -> None:
        self.app.call(self.app.client.training_metrics, job_id, on_ok=self.show_metrics, on_error=self.fail)

    def show_metrics(self, metrics: dict) -> None:
        self.metrics = metrics
        self.job_title = f"Job {metrics['job_id']}: metrics per epoch"
        series = metrics.get("series") or {}
        names = [n for n in PREFERRED if n in series] + [n for n in series if n not in PREFERRED and n != "lr"]
        grid = self.ids.metric_choices
        grid.clear_widgets()
        for name in names[:6]:
            button = Factory.ChoiceButton(text=name, group="training_metric", allow_no_selection=False)
            button.bind(on_release=lambda _b, n=name: self.select_metric(n))
            grid.add_widget(button)
        if names:
            self.select_metric(names[0])
        else:
            self.metric = ""
            self.ids.chart.values = []

    def select_metric(self, name: str) -> None:
        self.metric = name
        for button in self.ids.metric_choices.children:
            button.state = "down" if button.text == name else "normal"
        epochs = self.metrics.get("epochs") or []
        self.ids.chart.labels = [str(e) for e in epochs]
        self.ids.chart.values = list(self.metrics["series"].get(name) or [])

    def activate(self, model_id: int) -> None:
        def done(model):
            self.app.notify(f"{model['name']} is now used for recognition.")
            self.show()

        self.app.call(self.app.client.activate_model, model_id, on_ok=done, on_error=self.fail)
