"""The signed-in user's account and training profile."""

from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields

from api.resources.common import UtcDateTime, bounds, error_model, json_body, nullable
from api.services import accounts
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, GOALS, PROFILE_RANGES, SEXES

ns = Namespace("users", description="Your account and training profile")
error = error_model(ns)


profile_fields = {
    "age": fields.Integer(**bounds(PROFILE_RANGES, "age"), example=34),
    "sex": fields.String(enum=list(SEXES)),
    "height_cm": fields.Float(**bounds(PROFILE_RANGES, "height_cm"), example=172),
    "weight_kg": fields.Float(**bounds(PROFILE_RANGES, "weight_kg"), example=70.5),
    "fitness_level": fields.String(enum=list(FITNESS_LEVELS)),
    "goal": fields.String(enum=list(GOALS)),
    "days_per_week": fields.Integer(**bounds(PROFILE_RANGES, "days_per_week"), example=3),
    "session_minutes": fields.Integer(**bounds(PROFILE_RANGES, "session_minutes"), example=45),
    "equipment": fields.List(fields.String(enum=list(EQUIPMENT)), example=["dumbbell", "bench"]),
    "limitations": fields.List(fields.String(enum=list(BODY_REGIONS)), example=["knee"]),
}
profile_patch_model = ns.model("ProfilePatch", profile_fields)
me_model = ns.model(
    "Me",
    {
        "id": fields.Integer(),
        "email": fields.String(),
        "name": fields.String(),
        "role": fields.String(enum=["user", "admin"]),
        "created_at": UtcDateTime(),
        # a profile value not set yet is null; equipment and limitations are [] then
        **{
            name: field if name in ("equipment", "limitations") else nullable(field)
            for name, field in profile_fields.items()
        },
    },
)


@ns.route("/me")
class Me(Resource):
    method_decorators = [jwt_required()]

    @ns.response(200, "Your account and profile", me_model)
    @ns.response(401, "Not signed in", error)
    @ns.marshal_with(me_model)
    def get(self):
        """Your account and training profile."""
        return accounts.me_dict(current_user)

    @ns.expect(profile_patch_model)
    @ns.response(200, "Updated", me_model)
    @ns.response(422, "Out of range or unknown values (the allowed ones are listed)", error)
    @ns.marshal_with(me_model)
    def patch(self):
        """Change any profile fields; the others stay as they are."""
        accounts.update_profile(current_user, json_body())
        return accounts.me_dict(current_user)
