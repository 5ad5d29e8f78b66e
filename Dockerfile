# GovReg production image: gunicorn web, Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 govreg
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install -e .
COPY . .
RUN SECRET_KEY=build-only-collectstatic python manage.py collectstatic --no-input \
 && mkdir -p /data/media && chown -R govreg /data /app

USER govreg
ENV MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "govreg.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
