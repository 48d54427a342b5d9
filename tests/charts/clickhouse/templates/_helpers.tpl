{{- define "clickhouse.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name | trunc 63 }}{{ else }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 }}{{ end }}
{{- end -}}
{{- define "clickhouse.serviceAccountName" -}}
{{- default (include "clickhouse.fullname" .) .Values.serviceAccount.name }}
{{- end -}}
