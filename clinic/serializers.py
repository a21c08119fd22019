from rest_framework import serializers

from clinic.models import Location
from clinic.models.locations import validate_time_zone


class LocationSerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        model = Location
        fields = ["id", "name", "time_zone", "address", "active", "created_at"]
        read_only_fields = ["id", "created_at"]
