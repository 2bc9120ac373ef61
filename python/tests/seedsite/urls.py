from django.urls import path

from seedsite import views

urlpatterns = [path("order/<int:order>", views.order)]
