"""The public exercise catalogue, with the posture checks each exercise has."""

from flask_restx import Namespace, Resource, fields

from api.planner.catalogue import LEVELS, MEASURES, MUSCLE_GROUPS, PATTERNS, filter_exercises, get_exercise
from api.resources.common import error_model, nullable, page_model, paginate_list, pagination_parser
from api.services.exercises import exercise_dict
from api.vocabulary import EQUIPMENT

ns = Namespace("exercises", description="The exercise catalogue (public)")
error = error_model(ns)

check_model = ns.model(
    "PostureCheck",
    {
        "code": fields.String(),
        "description": fields.String(),
        "joints": fields.List(fields.String),
        "view": nullable(fields.String(description="the camera view that can show the fault")),
        "severity": fields.String(enum=["low", "medium", "high"]),
        "source": fields.String(description="where the threshold comes from"),
    },
)
exercise_model = ns.model(
    "Exercise",
    {
        "label": fields.String(example="squat"),
        "name": fields.String(),
        "primary_muscles": fields.List(fields.String),
        "secondary_muscles": fields.List(fields.String),
        "equipment": fields.List(fields.String),
        "pattern": fields.String(enum=list(PATTERNS)),
        "level": fields.String(enum=list(LEVELS)),
        "met": fields.Float(description="Compendium of Physical Activities"),
        "contraindications": fields.List(fields.String),
        "easier": nullable(fields.String(description="an easier variant's label; null when there is none")),
        "harder": nullable(fields.String(description="a harder variant's label; null when there is none")),
        "cues": fields.List(fields.String),
        "measure": fields.String(
            enum=list(MEASURES),
            description="counted in reps, held for seconds, or done for minutes (cardio)",
        ),
        "is_bodyweight": fields.Boolean(),
        "posture_checks": fields.List(fields.Nested(check_model)),
    },
)
exercise_page = page_model(ns, "Exercise", exercise_model)

filters = pagination_parser.copy()
filters.add_argument("muscle", choices=MUSCLE_GROUPS, location="args")
filters.add_argument("equipment", choices=EQUIPMENT, location="args")
filters.add_argument("pattern", choices=PATTERNS, location="args")
filters.add_argument("level", choices=LEVELS, location="args")


@ns.route("")
class ExerciseList(Resource):
    @ns.doc(security=[])
    @ns.expect(filters)
    @ns.marshal_with(exercise_page)
    def get(self):
        """Exercises, filterable by muscle, equipment, pattern and level."""
        args = filters.parse_args()
        rows = filter_exercises(args["muscle"], args["equipment"], args["pattern"], args["level"])
        return paginate_list(rows, args["page"], args["per_page"], exercise_dict)


@ns.route("/<string:label>")
@ns.response(404, "Unknown exercise", error)
class ExerciseItem(Resource):
    @ns.doc(security=[])
    @ns.marshal_with(exercise_model)
    def get(self, label: str):
        """One exercise."""
        return exercise_dict(get_exercise(label))
