from tests.factories.clinic import LocationFactory
from tests.factories.users import DEFAULT_PASSWORD, UserFactory

__all__ = ["DEFAULT_PASSWORD", "LocationFactory", "UserFactory"]
